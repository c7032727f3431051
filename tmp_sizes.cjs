const fs=require('fs');const b=fs.readFileSync(process.argv[2]);let p=8;
function leb(){let r=0,s=0,x;do{x=b[p++];r+=(x&127)*2**s;s+=7}while(x&128);return r}
let imports=0,codes=[],names={};
while(p<b.length){const id=b[p++];const len=leb();const end=p+len;
 if(id===2){let n=leb();for(let i=0;i<n;i++){let l=leb();p+=l;l=leb();p+=l;const k=b[p++];if(k===0){leb();imports++}else if(k===1){p++;const f=leb();leb();if(f&1)leb()}else if(k===2){const f=leb();leb();if(f&1)leb()}else if(k===3){p+=2}}}
 if(id===10){let n=leb();for(let i=0;i<n;i++){const l=leb();codes.push(l);p+=l}}
 if(id===0){const nl=leb();const nm=b.slice(p,p+nl).toString();p+=nl;if(nm==='name'){while(p<end){const sid=b[p++];const sl=leb();const se=p+sl;if(sid===1){let n=leb();for(let i=0;i<n;i++){const idx=leb();const l=leb();names[idx]=b.slice(p,p+l).toString();p+=l}}p=se}}}
 p=end}
const rows=codes.map((s,i)=>[s,names[i+imports]||('f'+(i+imports))]).sort((a,b)=>b[0]-a[0]);
const tot=codes.reduce((a,b)=>a+b,0);console.log('total code',tot);
const groups={};for(const [s,n] of rows){const m=n.match(/(gradstep|plotters|nalgebra|serde|core|alloc|std|wasm_bindgen|js_sys|web_sys|simba|hashbrown|ryu|itoa|encoding_rs|dlmalloc)/);const k=m?m[1]:'other';groups[k]=(groups[k]||0)+s}
console.log(groups);
for(const [s,n] of rows.slice(0,+process.argv[3]||40))console.log(s,n.slice(0,150));
